#!/bin/sh
echo s
