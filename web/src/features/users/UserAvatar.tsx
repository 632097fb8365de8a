import { Avatar, Flex, Typography } from 'antd';

const PALETTE = ['#1f6feb', '#13c2c2', '#722ed1', '#eb2f96', '#fa8c16', '#52c41a', '#2f54eb'];

/** A stable colour per user id, shared by every avatar of that user. */
export function avatarColor(id: number): string {
  return PALETTE[id % PALETTE.length];
}

/** Avatar with initials and the name beside it; the colour is stable per user id. */
export function UserAvatar({ id, name, suffix }: { id: number; name: string; suffix?: React.ReactNode }) {
  return (
    <Flex align="center" gap={10}>
      <Avatar size={28} style={{ background: avatarColor(id), fontSize: 13, flex: 'none' }}>
        {name.trim().slice(0, 1).toUpperCase() || '?'}
      </Avatar>
      <Typography.Text ellipsis>{name}</Typography.Text>
      {suffix}
    </Flex>
  );
}
