#!/usr/bin/env node
import '../dist/cli/drover.js';
