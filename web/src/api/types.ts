import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type Locale = Schemas['Locale'];
export type User = Schemas['User'];
export type Account = Schemas['Account'];
export type Session = Schemas['Session'];
export type Team = Schemas['Team'];
export type TeamMember = Schemas['TeamMember'];
export type AccessToken = Schemas['AccessToken'];
export type NewAccessToken = Schemas['NewAccessToken'];
export type LoginRequest = Schemas['LoginRequest'];
export type CreateUser = Schemas['CreateUser'];
export type UpdateUser = Schemas['UpdateUser'];
export type UpdateMe = Schemas['UpdateMe'];
export type CreateTeam = Schemas['CreateTeam'];
export type UpdateTeam = Schemas['UpdateTeam'];
export type CreateToken = Schemas['CreateToken'];
export type UserPage = Schemas['UserPage'];
export type TeamPage = Schemas['TeamPage'];
export type TeamMemberPage = Schemas['TeamMemberPage'];
export type AccessTokenPage = Schemas['AccessTokenPage'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];
