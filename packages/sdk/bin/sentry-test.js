#!/usr/bin/env node
import { sentryTest } from "../dist/sentry-test.js";
process.exitCode = await sentryTest(process.argv.slice(2));
