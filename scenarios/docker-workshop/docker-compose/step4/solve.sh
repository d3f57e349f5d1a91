#!/bin/bash
cd /root/shop && docker compose down
