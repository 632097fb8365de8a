import { Col, Row } from 'antd';
import { useTranslation } from 'react-i18next';
import { ProfileForm } from './ProfileForm';
import { PasswordForm } from './PasswordForm';
import { TokensCard } from './TokensCard';
import { NoticePrefsCard } from './NoticePrefsCard';
import { PageHeader } from '../layout/PageHeader';

export default function ProfilePage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('profile.title')} description={t('profile.description')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <ProfileForm />
        </Col>
        <Col xs={24} lg={12}>
          <PasswordForm />
        </Col>
        <Col span={24}>
          <NoticePrefsCard />
        </Col>
        <Col span={24}>
          <TokensCard />
        </Col>
      </Row>
    </>
  );
}
