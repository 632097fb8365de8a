import { Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The product mark and name; `compact` shows only the mark (collapsed sider). */
export function Brand({ compact = false, size = 28 }: { compact?: boolean; size?: number }) {
  const { t } = useTranslation();
  return (
    <Flex align="center" gap={10}>
      <img src="/favicon.svg" width={size} height={size} alt="" aria-hidden />
      {!compact && (
        <Typography.Text strong style={{ fontSize: size * 0.6, whiteSpace: 'nowrap' }}>
          {t('app.name')}
        </Typography.Text>
      )}
    </Flex>
  );
}
