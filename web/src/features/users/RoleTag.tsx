import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../api/types';

const COLORS: Record<Role, string> = { owner: 'gold', admin: 'blue', supervisor: 'cyan', agent: 'default' };

export function RoleTag({ role }: { role: Role }) {
  const { t } = useTranslation();
  return (
    <Tag color={COLORS[role]} variant="filled">
      {t(`roles.${role}`)}
    </Tag>
  );
}
