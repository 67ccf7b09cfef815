import type { Pii } from "./selector.js";

// Whether each attribute of the Sentry conventions (sentry-conventions, `model/attributes`) may hold
// personal data, as Relay reads it for log and span attributes: `maybe` attributes are scrubbed only
// by selectors naming them, `false` ones never. Attributes not listed here, and unknown ones, are
// `true`. A `<key>` segment stands for any one segment of the name.

const MAYBE = [
  "ai.completion_tokens.used", "ai.finish_reason", "ai.frequency_penalty", "ai.generation_id", "ai.input_messages", "ai.metadata",
  "ai.model.provider", "ai.model_id", "ai.pipeline.name", "ai.presence_penalty", "ai.prompt_tokens.used", "ai.response_format", "ai.responses",
  "ai.seed", "ai.streaming", "ai.tags", "ai.temperature", "ai.tools", "ai.top_k", "ai.top_p", "ai.total_cost", "ai.total_tokens.used",
  "angular.version", "app.app_build", "app.app_identifier", "app.app_name", "app.app_start_time", "app.app_version", "app.build", "app.identifier",
  "app.in_foreground", "app.name", "app.start_time", "app.version", "app.vitals.frames.delay.value", "app.vitals.frames.frozen.count",
  "app.vitals.frames.slow.count", "app.vitals.frames.total.count", "app.vitals.start.cold.value", "app.vitals.start.reason",
  "app.vitals.start.screen", "app.vitals.start.type", "app.vitals.start.warm.value", "app.vitals.ttfd.value", "app.vitals.ttid.value",
  "app_start_cold", "app_start_type", "app_start_warm", "aws.cloudwatch.logs.log_group", "aws.cloudwatch.logs.log_stream", "aws.cloudwatch.logs.url",
  "aws.lambda.execution_duration_in_millis", "aws.lambda.function_name", "aws.lambda.invoked_arn", "aws.lambda.invoked_function_arn",
  "aws.lambda.remaining_time_in_millis", "aws.log.group.names", "aws.log.stream.names", "browser.name",
  "browser.performance.navigation.activation_start", "browser.performance.time_origin", "browser.report.type", "browser.script.invoker",
  "browser.script.invoker_type", "browser.script.source_char_position", "browser.version", "browser.web_vital.cls.report_event",
  "browser.web_vital.cls.source.<key>", "browser.web_vital.cls.value", "browser.web_vital.fcp.value", "browser.web_vital.fp.value",
  "browser.web_vital.inp.value", "browser.web_vital.lcp.element", "browser.web_vital.lcp.id", "browser.web_vital.lcp.load_time",
  "browser.web_vital.lcp.render_time", "browser.web_vital.lcp.report_event", "browser.web_vital.lcp.size", "browser.web_vital.lcp.url",
  "browser.web_vital.lcp.value", "browser.web_vital.ttfb.request_time", "browser.web_vital.ttfb.value", "cache.item_size", "cache.key",
  "cache.operation", "cache.ttl", "channel", "client.port", "cloud.account.id", "cloud.availability_zone", "cloud.platform", "cloud.provider",
  "cloud.region", "cloud.resource_id", "cloudflare.d1.duration", "cloudflare.d1.rows_read", "cloudflare.d1.rows_written", "cls", "cls.source.<key>",
  "code.file.path", "code.filepath", "code.function", "code.function.name", "code.line.number", "code.lineno", "code.namespace", "connection.rtt",
  "connectionType", "culture.calendar", "culture.display_name", "culture.is_24_hour_format", "culture.locale", "culture.timezone",
  "db.collection.name", "db.name", "db.namespace", "db.operation", "db.operation.batch.size", "db.operation.name", "db.query.parameter.<key>",
  "db.query.summary", "db.query.text", "db.redis.connection", "db.redis.key", "db.redis.parameters", "db.sql.bindings", "db.statement",
  "db.stored_procedure.name", "db.system", "db.system.name", "device.archs", "device.battery_level", "device.battery_temperature",
  "device.boot_time", "device.brand", "device.charging", "device.chipset", "device.class", "device.connection_type", "device.cpu_description",
  "device.external_free_storage", "device.external_storage_size", "device.family", "device.free_memory", "device.free_storage", "device.id",
  "device.locale", "device.low_memory", "device.manufacturer", "device.memory.estimated_capacity", "device.memory_size", "device.model",
  "device.model_id", "device.name", "device.online", "device.orientation", "device.processor_count", "device.processor_frequency",
  "device.screen_density", "device.screen_dpi", "device.screen_height_pixels", "device.screen_width_pixels", "device.storage_size",
  "device.thermal_state", "device.timezone", "device.usable_memory", "deviceMemory", "effectiveConnectionType", "environment", "error.type",
  "event.name", "exception.message", "exception.stacktrace", "exception.type", "faas.cron", "faas.entry_point", "faas.name", "faas.time",
  "faas.trigger", "fcp", "fp", "frames.delay", "frames.frozen", "frames.slow", "frames.total", "frames_frozen_rate", "frames_slow_rate", "fs_error",
  "gcp.function.context.event_id", "gcp.function.context.event_type", "gcp.function.context.id", "gcp.function.context.resource",
  "gcp.function.context.source", "gcp.function.context.specversion", "gcp.function.context.time", "gcp.function.context.timestamp",
  "gcp.function.context.type", "gcp.project.id", "gen_ai.agent.name", "gen_ai.context.utilization", "gen_ai.context.window_size",
  "gen_ai.conversation.id", "gen_ai.cost.input_tokens", "gen_ai.cost.output_tokens", "gen_ai.cost.total_tokens", "gen_ai.embeddings.input",
  "gen_ai.function_id", "gen_ai.input.messages", "gen_ai.operation.name", "gen_ai.operation.type", "gen_ai.output.messages", "gen_ai.pipeline.name",
  "gen_ai.prompt", "gen_ai.provider.name", "gen_ai.request.available_tools", "gen_ai.request.frequency_penalty", "gen_ai.request.max_tokens",
  "gen_ai.request.messages", "gen_ai.request.model", "gen_ai.request.presence_penalty", "gen_ai.request.seed", "gen_ai.request.temperature",
  "gen_ai.request.top_k", "gen_ai.request.top_p", "gen_ai.response.finish_reasons", "gen_ai.response.id", "gen_ai.response.model",
  "gen_ai.response.streaming", "gen_ai.response.text", "gen_ai.response.time_to_first_chunk", "gen_ai.response.time_to_first_token",
  "gen_ai.response.tokens_per_second", "gen_ai.response.tool_calls", "gen_ai.system", "gen_ai.system_instructions", "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result", "gen_ai.tool.definitions", "gen_ai.tool.description", "gen_ai.tool.input", "gen_ai.tool.name", "gen_ai.tool.output",
  "gen_ai.tool.type", "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.completion_tokens",
  "gen_ai.usage.input_tokens", "gen_ai.usage.input_tokens.cache_write", "gen_ai.usage.input_tokens.cached", "gen_ai.usage.output_tokens",
  "gen_ai.usage.output_tokens.reasoning", "gen_ai.usage.prompt_tokens", "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.total_tokens",
  "graphql.document", "graphql.operation.name", "graphql.operation.type", "hardwareConcurrency", "http.decoded_response_content_length",
  "http.flavor", "http.fragment", "http.host", "http.method", "http.request.body.data", "http.request.connect_start", "http.request.connection_end",
  "http.request.domain_lookup_end", "http.request.domain_lookup_start", "http.request.fetch_start", "http.request.header.<key>",
  "http.request.method", "http.request.redirect_end", "http.request.redirect_start", "http.request.request_start", "http.request.resend_count",
  "http.request.response_end", "http.request.response_start", "http.request.secure_connection_start", "http.request.time_to_first_byte",
  "http.request.worker_start", "http.request_method", "http.response.body.size", "http.response.header.<key>", "http.response.header.content-length",
  "http.response.size", "http.response.status_code", "http.response_content_length", "http.response_transfer_size", "http.route", "http.scheme",
  "http.server.request.time_in_queue", "http.server_name", "http.status_code", "http.target", "http.user_agent", "inp", "jvm.gc.action",
  "jvm.gc.name", "jvm.memory.pool.name", "jvm.memory.type", "jvm.thread.state", "lcp", "lcp.element", "lcp.id", "lcp.loadTime", "lcp.renderTime",
  "lcp.size", "lcp.url", "logger.name", "mcp.cancelled.reason", "mcp.client.title", "mcp.logging.logger", "mcp.progress.current",
  "mcp.progress.message", "mcp.progress.percentage", "mcp.progress.total", "mcp.prompt.name", "mcp.prompt.result.message_count",
  "mcp.protocol.ready", "mcp.server.title", "mcp.tool.result.content_count", "mdc.<key>", "messaging.destination.connection",
  "messaging.destination.name", "messaging.message.body.size", "messaging.message.envelope.size", "messaging.message.id",
  "messaging.message.receive.latency", "messaging.message.retry.count", "messaging.operation.type", "messaging.system", "method", "navigation.type",
  "nel.elapsed_time", "nel.phase", "nel.referrer", "nel.sampling_function", "nel.type", "net.host.ip", "net.host.name", "net.host.port",
  "net.peer.ip", "net.peer.name", "net.peer.port", "net.protocol.name", "net.protocol.version", "net.sock.family", "net.sock.host.addr",
  "net.sock.host.port", "net.sock.peer.addr", "net.sock.peer.name", "net.sock.peer.port", "net.transport", "network.connection.effective_type",
  "network.connection.rtt", "network.connection.type", "network.local.address", "network.local.port", "network.peer.address", "network.peer.port",
  "network.protocol.name", "network.protocol.version", "network.transport", "network.type", "os.build", "os.build_id", "os.description",
  "os.kernel_version", "os.name", "os.raw_description", "os.rooted", "os.theme", "os.type", "os.version", "otel.scope.name", "otel.scope.version",
  "otel.status_code", "otel.status_description", "params.<key>", "performance.activationStart", "performance.timeOrigin", "previous_route",
  "process.command_args", "process.executable.name", "process.pid", "process.runtime.description", "process.runtime.engine.name",
  "process.runtime.engine.version", "process.runtime.name", "process.runtime.version", "query.<key>", "react.version", "release",
  "remix.action_form_data.<key>", "resource.render_blocking_status", "route", "rpc.grpc.status_code", "rpc.method", "rpc.response.status_code",
  "rpc.service", "runtime.build", "runtime.name", "runtime.raw_description", "runtime.version", "score.<key>", "score.ratio.<key>", "score.total",
  "score.weight.<key>", "sentry.action", "sentry.browser.name", "sentry.browser.version", "sentry.description", "sentry.domain",
  "sentry.dsc.public_key", "sentry.exclusive_time", "sentry.graphql.operation", "sentry.kind", "sentry.message.parameter.<key>",
  "sentry.message.template", "sentry.module.<key>", "sentry.normalized_db_query", "sentry.normalized_description", "sentry.report_event",
  "sentry.segment.name", "sentry.status.message", "sentry.status_code", "sentry.user.geo.city", "sentry.user.geo.country_code",
  "sentry.user.geo.region", "sentry.user.geo.subdivision", "server.address", "server.port", "service.name", "service.version", "session.id",
  "stall_percentage", "stall_total_time", "state.type", "thread.id", "thread.name", "timber.tag", "time_to_full_display", "time_to_initial_display",
  "transaction", "trpc.procedure_path", "trpc.procedure_type", "ttfb", "ttfb.requestTime", "ui.component_name", "ui.element.height", "ui.element.id",
  "ui.element.identifier", "ui.element.load_time", "ui.element.paint_type", "ui.element.render_time", "ui.element.type", "ui.element.url",
  "ui.element.width", "url.domain", "url.fragment", "url.path", "url.path.parameter.<key>", "url.port", "url.scheme", "url.template",
  "user.geo.city", "user.geo.country_code", "user.geo.region", "user.geo.subdivision", "user_agent.original", "vercel.destination",
  "vercel.entrypoint", "vercel.path", "vercel.project_name", "vercel.proxy.host", "vercel.proxy.path", "vercel.proxy.path_type_variant",
  "vercel.proxy.referer", "vercel.proxy.response_byte_size", "vercel.proxy.status_code", "vercel.proxy.timestamp", "vercel.proxy.user_agent",
  "vercel.status_code",
];

const NEVER = [
  "ai.is_search_required", "ai.raw_prompting", "app.vitals.start.prewarmed", "art.gc.blocking_count", "art.gc.blocking_time",
  "art.gc.pre_oome_count", "art.gc.total_count", "art.gc.total_time", "art.gc.waiting_time", "art.memory.free", "art.memory.free_until_gc",
  "art.memory.free_until_oome", "art.memory.max", "art.memory.total", "aws.lambda.aws_request_id", "aws.lambda.function_version",
  "blocked_main_thread", "cache.hit", "cache.write", "cloudflare.d1.query_type", "cloudflare.workflow.attempt",
  "cloudflare.workflow.retries.backoff", "cloudflare.workflow.retries.delay", "cloudflare.workflow.retries.limit", "cloudflare.workflow.timeout",
  "db.driver.name", "device.low_power_mode", "device.simulator", "event.id", "exception.escaped", "faas.coldstart", "faas.duration_in_ms",
  "faas.invocation_id", "faas.version", "flag.evaluation.<key>", "id", "jvm.thread.daemon", "mcp.cancelled.request_id", "mcp.client.name",
  "mcp.client.version", "mcp.lifecycle.phase", "mcp.logging.data_type", "mcp.logging.level", "mcp.method.name", "mcp.progress.token",
  "mcp.prompt.result.message_role", "mcp.protocol.version", "mcp.request.id", "mcp.resource.protocol", "mcp.server.name", "mcp.server.version",
  "mcp.session.id", "mcp.tool.name", "mcp.tool.result.is_error", "mcp.transport", "messaging.batch.message_count", "messaging.operation.name",
  "middleware.name", "replay_id", "resource.deployment.environment", "resource.deployment.environment.name", "sentry.cancellation_reason",
  "sentry.category", "sentry.client_sample_rate", "sentry.dist", "sentry.dsc.environment", "sentry.dsc.project_id", "sentry.dsc.release",
  "sentry.dsc.sample_rate", "sentry.dsc.sampled", "sentry.dsc.trace_id", "sentry.dsc.transaction", "sentry.environment", "sentry.group",
  "sentry.http.prefetch", "sentry.idle_span_finish_reason", "sentry.is_remote", "sentry.main_thread", "sentry.mobile",
  "sentry.nextjs.ssr.function.route", "sentry.nextjs.ssr.function.type", "sentry.normalized_db_query.hash", "sentry.observed_timestamp_nanos",
  "sentry.op", "sentry.origin", "sentry.platform", "sentry.profile_id", "sentry.profiler_id", "sentry.release", "sentry.replay_id",
  "sentry.replay_is_buffering", "sentry.sdk.integrations", "sentry.sdk.name", "sentry.sdk.version", "sentry.segment.id", "sentry.segment_id",
  "sentry.server_sample_rate", "sentry.source", "sentry.span.source", "sentry.timestamp.sequence", "sentry.trace.parent_span_id",
  "sentry.transaction", "type", "ui.contributes_to_ttfd", "ui.contributes_to_ttid", "vercel.branch", "vercel.build_id", "vercel.deployment_id",
  "vercel.edge_type", "vercel.execution_region", "vercel.id", "vercel.ja3_digest", "vercel.ja4_digest", "vercel.log_type", "vercel.project_id",
  "vercel.proxy.cache_id", "vercel.proxy.lambda_region", "vercel.proxy.method", "vercel.proxy.path_type", "vercel.proxy.region",
  "vercel.proxy.scheme", "vercel.proxy.vercel_cache", "vercel.proxy.vercel_id", "vercel.proxy.waf_action", "vercel.proxy.waf_rule_id",
  "vercel.request_id", "vercel.source",
];

const EXACT = new Map<string, Pii>();
const TEMPLATES: { readonly segments: readonly string[]; readonly pii: Pii }[] = [];
for (const [names, pii] of [[MAYBE, "maybe"], [NEVER, "false"]] as const) {
  for (const name of names) {
    if (name.includes("<key>")) TEMPLATES.push({ segments: name.split("."), pii });
    else EXACT.set(name, pii);
  }
}

/** The `pii` attribute of a log or span attribute, by its name. */
export function attributePii(name: string): Pii {
  const exact = EXACT.get(name);
  if (exact !== undefined) return exact;
  if (TEMPLATES.length > 0 && name.includes(".")) {
    const segments = name.split(".");
    for (const template of TEMPLATES) {
      if (template.segments.length === segments.length && template.segments.every((segment, i) => segment === "<key>" || segment === segments[i])) return template.pii;
    }
  }
  return "true";
}
