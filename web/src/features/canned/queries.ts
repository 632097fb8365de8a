import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { cannedKey } from '../workspace/canned';

export type CreateCanned = components['schemas']['CreateCanned'];
export type UpdateCanned = components['schemas']['UpdateCanned'];

/**
 * Changes refresh the list the composer's "/" suggestions read (`cannedKey`), which is also the
 * list this page shows (`useCannedResponses` from the workspace).
 */
function useInvalidateCanned() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: cannedKey });
}

export function useCreateCanned() {
  const invalidate = useInvalidateCanned();
  return useMutation({
    mutationFn: (body: CreateCanned) => unwrap(api.POST('/api/v1/canned-responses', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateCanned() {
  const invalidate = useInvalidateCanned();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: UpdateCanned }) =>
      unwrap(api.PATCH('/api/v1/canned-responses/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteCanned() {
  const invalidate = useInvalidateCanned();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/canned-responses/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}
