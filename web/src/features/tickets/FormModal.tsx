import type { ReactNode } from 'react';
import { App as AntApp, Modal, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';

type FieldPath = Array<string | number>;

/**
 * What a dialog's form does after its request: a notice (`done`, "saved" by default) and close, or
 * the API's errors on their inputs (a notice for any that has no input).
 */
export function useSaveOutcome(form: FormInstance, toPath: (field: string) => FieldPath | null, onClose: () => void, done?: string) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  return {
    onSuccess: () => {
      void message.success(done ?? t('ticketSettings.saved'));
      onClose();
    },
    onError: (error: unknown) => {
      if (!applyFieldErrorPaths(form, error, toPath)) void message.error(describeError(t, error));
    },
  };
}

/** A dialog around a form: OK submits the form, the form stays mounted so its values can be set before opening. */
export function FormModal({
  open,
  title,
  okText,
  form,
  pending,
  onClose,
  width,
  children,
}: {
  open: boolean;
  title: string;
  okText?: string;
  form: FormInstance;
  pending: boolean;
  onClose: () => void;
  width?: number;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title}
      okText={okText ?? t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={pending}
      forceRender
      width={width}
    >
      {children}
    </Modal>
  );
}

