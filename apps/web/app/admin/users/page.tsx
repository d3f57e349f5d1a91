import type { Metadata } from "next";
import { Users } from "../_components/users.tsx";

export const metadata: Metadata = { title: "Users · Admin" };

export default function AdminUsersPage() {
  return <Users />;
}
