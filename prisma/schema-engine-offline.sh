#!/bin/sh
# Stands in for the Prisma CLI's native schema engine, which cannot be downloaded on an offline machine.
# `prisma generate` only checks that this file exists; anything that would run it is pointed elsewhere.
echo "The Prisma CLI's schema engine is not installed here (no network to download it)." >&2
echo "Use the offline commands instead: npm run migrate -- deploy | create <name> | status" >&2
exit 1
