#!/bin/sh
echo "script $# $*"
