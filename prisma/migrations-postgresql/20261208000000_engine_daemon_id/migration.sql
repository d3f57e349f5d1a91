-- The Docker daemon behind an engine (docker info ID): one daemon is registered under one name only.
ALTER TABLE "Engine" ADD COLUMN "daemonId" TEXT;
