import type { ReactNode } from 'react';
import { App as AntApp, ConfigProvider, theme } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';

/** antd follows the i18next language; the theme is tuned for dense admin screens. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? enUS : zhCN}
      button={{ autoInsertSpace: false }}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: '#1f6feb',
          borderRadius: 6,
          fontSize: 14,
          colorBgLayout: '#f5f7fa',
        },
        components: {
          Layout: { headerBg: '#ffffff', siderBg: '#ffffff', headerHeight: 56, headerPadding: '0 20px' },
          Menu: { itemHeight: 38, itemMarginInline: 8, itemBorderRadius: 6 },
          Table: { headerBg: '#fafbfc', cellPaddingBlock: 10 },
          Form: { itemMarginBottom: 18, verticalLabelPadding: '0 0 4px' },
          Card: { headerHeight: 48 },
        },
      }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}
