import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLocale, setLocale } from './index';
import type { Locale } from '../api/types';

/** 中文 / English toggle; language names are shown in their own language on purpose. */
export function LanguageSwitch({ size = 'middle' }: { size?: 'small' | 'middle' | 'large' }) {
  const { t, i18n } = useTranslation();
  const value = i18n.language === 'en' ? 'en' : currentLocale();
  return (
    <Segmented<Locale>
      size={size}
      aria-label={t('language.label')}
      value={value}
      onChange={(locale) => void setLocale(locale)}
      options={[
        { label: t('language.zh-CN'), value: 'zh-CN' },
        { label: t('language.en'), value: 'en' },
      ]}
    />
  );
}
