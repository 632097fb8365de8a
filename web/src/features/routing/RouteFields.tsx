import { Button, Checkbox, Form, Input, InputNumber, Select } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useTeams } from '../teams/queries';
import { useUsers } from '../users/queries';
import { PRIORITIES } from '../inbox/PriorityTag';
import { STRATEGIES } from './trace';
import type { StrategyName } from '../../api/types';
import styles from './Routing.module.css';

/**
 * The fields of a route inside an antd form, under `prefix` (`route` of a rule, `default_route`
 * of the settings): teams, dedicated agent, strategy, priority, tags, skills, offline notice, sticky.
 */
export function RouteFields({ prefix }: { prefix: string }) {
  const { t } = useTranslation();
  const teams = useTeams();
  const users = useUsers();
  const form = Form.useFormInstance();
  const strategy = Form.useWatch<StrategyName | undefined>([prefix, 'strategy'], form);

  return (
    <>
      <div className={styles.formGrid}>
        <Form.Item name={[prefix, 'teams']} label={t('routing.route.teams')} extra={t('routing.route.teamsHint')}>
          <Select<number[]>
            mode="multiple"
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            loading={teams.isPending}
            placeholder={t('routing.route.anyAgent')}
            options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
          />
        </Form.Item>
        <Form.Item name={[prefix, 'agent_id']} label={t('routing.route.agent')} extra={t('routing.route.agentHint')}>
          <Select<number>
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            loading={users.isPending}
            placeholder={t('routing.route.noAgent')}
            options={(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} · ${u.email}` }))}
          />
        </Form.Item>
        <Form.Item
          name={[prefix, 'strategy']}
          label={t('routing.route.strategy')}
          extra={strategy ? t(`routing.strategyHint.${strategy}`) : undefined}
        >
          <Select<StrategyName> options={STRATEGIES.map((s) => ({ value: s, label: t(`routing.strategy.${s}`) }))} />
        </Form.Item>
        <Form.Item name={[prefix, 'priority']} label={t('routing.route.priority')} extra={t('routing.route.priorityHint')}>
          <Select
            allowClear
            placeholder={t('routing.route.priorityKeep')}
            options={PRIORITIES.map((p) => ({ value: p, label: t(`inbox.priority.${p}`) }))}
          />
        </Form.Item>
      </div>
      <Form.Item name={[prefix, 'tags']} label={t('routing.route.tags')} extra={t('routing.route.tagsHint')}>
        <Select<string[]> mode="tags" open={false} tokenSeparators={[',', '，']} placeholder={t('routing.cond.listPlaceholder')} />
      </Form.Item>
      <Form.Item label={t('routing.route.skills')} extra={t('routing.route.skillsHint')}>
        <Form.List name={[prefix, 'skills']}>
          {(items, { add, remove }, { errors }) => (
            <div className={styles.skillList}>
              {items.map((item, index) => (
                <div key={item.key} className={styles.skillRow}>
                  <Form.Item
                    name={[item.name, 'name']}
                    rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
                    className={styles.skillName}
                  >
                    <Input
                      placeholder={t('routing.route.skillName')}
                      aria-label={t('routing.route.skillNameOf', { n: index + 1 })}
                      maxLength={50}
                      autoComplete="off"
                    />
                  </Form.Item>
                  <Form.Item name={[item.name, 'min']} initialValue={1} className={styles.skillMin}>
                    <InputNumber<number>
                      min={1}
                      max={5}
                      precision={0}
                      prefix="≥"
                      aria-label={t('routing.route.skillMinOf', { n: index + 1 })}
                    />
                  </Form.Item>
                  <Button
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    onClick={() => remove(item.name)}
                    aria-label={t('routing.route.removeSkillOf', { n: index + 1 })}
                  />
                </div>
              ))}
              <Form.ErrorList errors={errors} />
              <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ min: 1 })}>
                {t('routing.route.addSkill')}
              </Button>
            </div>
          )}
        </Form.List>
      </Form.Item>
      <Form.Item name={[prefix, 'offline_notice']} label={t('routing.route.offlineNotice')} extra={t('routing.route.offlineNoticeHint')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={1000} />
      </Form.Item>
      <Form.Item name={[prefix, 'sticky']} valuePropName="checked" extra={t('routing.route.stickyHint')}>
        <Checkbox>{t('routing.route.sticky')}</Checkbox>
      </Form.Item>
    </>
  );
}
