#!/bin/bash
docker run -d --name redis --net skynet redis:7.0
