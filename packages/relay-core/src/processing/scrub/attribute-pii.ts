import type { Pii } from "./selector.js";

// Whether each attribute of the Sentry conventions (sentry-conventions, `model/attributes`) may hold
// personal data, as Relay reads it for log and span attributes: `apply_scrubbing` `manual` ones
// (`maybe`) are scrubbed only by selectors naming them, `never` ones (`false`) not at all. Attributes
// not listed here (`auto`), and unknown ones, are `true`. A `<key>` segment stands for any one
// segment of the name.

const MAYBE = [
  "address", "ai.completion_tokens.used", "ai.finish_reason", "ai.frequency_penalty", "ai.generation_id", "ai.input_messages",
  "ai.is_search_required", "ai.metadata", "ai.model.provider", "ai.model_id", "ai.pipeline.name", "ai.presence_penalty", "ai.prompt.messages",
  "ai.prompt_tokens.used", "ai.raw_prompting", "ai.response.text", "ai.response.toolCalls", "ai.response_format", "ai.responses", "ai.seed",
  "ai.streaming", "ai.tags", "ai.temperature", "ai.toolCall.args", "ai.toolCall.result", "ai.tools", "ai.top_k", "ai.top_p", "ai.total_cost",
  "ai.total_tokens.used", "angular.version", "app.app_build", "app.app_identifier", "app.app_name", "app.app_start_time", "app.app_version",
  "app.build", "app.identifier", "app.in_foreground", "app.name", "app.start_time", "app.version", "app.vitals.frames.delay.value",
  "app.vitals.frames.frozen.count", "app.vitals.frames.frozen.rate", "app.vitals.frames.slow.count", "app.vitals.frames.slow.rate",
  "app.vitals.frames.total.count", "app.vitals.stall.duration", "app.vitals.stall.percentage", "app.vitals.start.cold.value",
  "app.vitals.start.prewarmed", "app.vitals.start.reason", "app.vitals.start.screen", "app.vitals.start.type", "app.vitals.start.warm.value",
  "app.vitals.ttfd.value", "app.vitals.ttid.value", "app_start_cold", "app_start_type", "app_start_warm", "art.gc.blocking_count",
  "art.gc.blocking_time", "art.gc.pre_oome_count", "art.gc.total_count", "art.gc.total_time", "art.gc.waiting_time", "art.memory.free",
  "art.memory.free_until_gc", "art.memory.free_until_oome", "art.memory.max", "art.memory.total", "aws.cloudwatch.logs.log_group",
  "aws.cloudwatch.logs.log_stream", "aws.cloudwatch.logs.url", "aws.dynamodb.attribute_definitions", "aws.dynamodb.consistent_read",
  "aws.dynamodb.consumed_capacity", "aws.dynamodb.count", "aws.dynamodb.exclusive_start_table", "aws.dynamodb.global_secondary_index_updates",
  "aws.dynamodb.global_secondary_indexes", "aws.dynamodb.index_name", "aws.dynamodb.item_collection_metrics", "aws.dynamodb.limit",
  "aws.dynamodb.local_secondary_indexes", "aws.dynamodb.projection", "aws.dynamodb.provisioned_read_capacity",
  "aws.dynamodb.provisioned_write_capacity", "aws.dynamodb.scan_forward", "aws.dynamodb.scanned_count", "aws.dynamodb.segment",
  "aws.dynamodb.select", "aws.dynamodb.table_count", "aws.dynamodb.table_names", "aws.dynamodb.total_segments", "aws.extended_request_id",
  "aws.kinesis.stream.name", "aws.kinesis.stream_name", "aws.lambda.aws_request_id", "aws.lambda.execution_duration_in_millis",
  "aws.lambda.function_name", "aws.lambda.function_version", "aws.lambda.invoked_arn", "aws.lambda.invoked_function_arn",
  "aws.lambda.remaining_time_in_millis", "aws.log.group.names", "aws.log.stream.names", "aws.operation_name", "aws.request.extended_id",
  "aws.request.id", "aws.request_id", "aws.s3.bucket", "aws.secretsmanager.secret.arn", "aws.sns.topic.arn", "aws.step_functions.activity.arn",
  "aws.step_functions.state_machine.arn", "aws_region", "blocked_main_thread", "browser.bfcache.frame", "browser.bfcache.not_restored_reason_count",
  "browser.bfcache.outcome", "browser.bfcache.reason", "browser.name", "browser.performance.navigation.activation_start",
  "browser.performance.time_origin", "browser.report.type", "browser.script.invoker", "browser.script.invoker_type",
  "browser.script.source_char_position", "browser.version", "browser.web_vital.cls.report_event", "browser.web_vital.cls.source.<key>",
  "browser.web_vital.cls.value", "browser.web_vital.fcp.value", "browser.web_vital.fp.value", "browser.web_vital.inp.value",
  "browser.web_vital.lcp.element", "browser.web_vital.lcp.id", "browser.web_vital.lcp.load_time", "browser.web_vital.lcp.render_time",
  "browser.web_vital.lcp.report_event", "browser.web_vital.lcp.size", "browser.web_vital.lcp.value", "browser.web_vital.ttfb.request_time",
  "browser.web_vital.ttfb.value", "cache.hit", "cache.item_size", "cache.key", "cache.operation", "cache.ttl", "cache.write", "channel",
  "client.port", "cloud.account.id", "cloud.availability_zone", "cloud.platform", "cloud.provider", "cloud.region", "cloud.resource_id",
  "cloudflare.d1.duration", "cloudflare.d1.query_type", "cloudflare.d1.rows_read", "cloudflare.d1.rows_written",
  "cloudflare.durable_object.query.bindings", "cloudflare.durable_object.response.rows_read", "cloudflare.durable_object.response.rows_written",
  "cloudflare.r2.bucket", "cloudflare.r2.operation", "cloudflare.r2.request.delimiter", "cloudflare.r2.request.key",
  "cloudflare.r2.request.part_number", "cloudflare.r2.request.prefix", "cloudflare.workflow.attempt", "cloudflare.workflow.retries.backoff",
  "cloudflare.workflow.retries.delay", "cloudflare.workflow.retries.limit", "cloudflare.workflow.timeout", "cls", "cls.source.<key>", "code",
  "code.file.path", "code.filepath", "code.function", "code.function.name", "code.line.number", "code.lineno", "code.namespace", "connection.rtt",
  "connectionType", "culture.calendar", "culture.display_name", "culture.is_24_hour_format", "culture.locale", "culture.timezone",
  "db.collection.name", "db.driver.name", "db.mongodb.collection", "db.name", "db.namespace", "db.operation", "db.operation.batch.size",
  "db.operation.name", "db.query.summary", "db.query.text", "db.redis.connection", "db.redis.key", "db.response.status_code",
  "db.stored_procedure.name", "db.system", "db.system.name", "db.user", "device.archs", "device.battery_level", "device.battery_temperature",
  "device.boot_time", "device.brand", "device.charging", "device.chipset", "device.class", "device.connection_type", "device.cpu_description",
  "device.external_free_storage", "device.external_storage_size", "device.family", "device.free_memory", "device.free_storage", "device.id",
  "device.locale", "device.low_memory", "device.low_power_mode", "device.manufacturer", "device.memory.estimated_capacity", "device.memory_size",
  "device.model", "device.model_id", "device.online", "device.orientation", "device.processor_count", "device.processor_frequency",
  "device.screen_density", "device.screen_dpi", "device.screen_height_pixels", "device.screen_width_pixels", "device.simulator",
  "device.storage_size", "device.thermal_state", "device.timezone", "device.usable_memory", "deviceMemory", "django.function_name",
  "django.middleware_name", "effectiveConnectionType", "environment", "error.type", "event.id", "event.name", "exception.escaped", "exception.type",
  "faas.coldstart", "faas.cron", "faas.duration_in_ms", "faas.entry_point", "faas.execution", "faas.id", "faas.identity", "faas.invocation_id",
  "faas.invoked_name", "faas.invoked_provider", "faas.invoked_region", "faas.name", "faas.time", "faas.trigger", "faas.version", "fcp", "file.size",
  "flag.evaluation.<key>", "fp", "frames.delay", "frames.frozen", "frames.slow", "frames.total", "frames_frozen_rate", "frames_slow_rate",
  "fs_error", "gcp.function.context.event_id", "gcp.function.context.event_type", "gcp.function.context.id", "gcp.function.context.resource",
  "gcp.function.context.source", "gcp.function.context.specversion", "gcp.function.context.time", "gcp.function.context.timestamp",
  "gcp.function.context.type", "gcp.project.id", "gcp_region", "gen_ai.agent.name", "gen_ai.context.utilization", "gen_ai.context.window_size",
  "gen_ai.conversation.id", "gen_ai.cost.cache_creation.input_tokens", "gen_ai.cost.cache_read.input_tokens", "gen_ai.cost.input_tokens",
  "gen_ai.cost.output_tokens", "gen_ai.cost.reasoning.output_tokens", "gen_ai.cost.total_tokens", "gen_ai.embeddings.input", "gen_ai.function_id",
  "gen_ai.input.messages", "gen_ai.operation.name", "gen_ai.operation.type", "gen_ai.output.messages", "gen_ai.pipeline.name", "gen_ai.prompt",
  "gen_ai.prompt.name", "gen_ai.provider.name", "gen_ai.request.available_tools", "gen_ai.request.frequency_penalty", "gen_ai.request.max_tokens",
  "gen_ai.request.messages", "gen_ai.request.model", "gen_ai.request.presence_penalty", "gen_ai.request.reasoning.level", "gen_ai.request.seed",
  "gen_ai.request.stop_sequences", "gen_ai.request.temperature", "gen_ai.request.top_k", "gen_ai.request.top_p", "gen_ai.response.finish_reason",
  "gen_ai.response.finish_reasons", "gen_ai.response.id", "gen_ai.response.model", "gen_ai.response.streaming", "gen_ai.response.text",
  "gen_ai.response.time_to_first_chunk", "gen_ai.response.time_to_first_token", "gen_ai.response.tokens_per_second", "gen_ai.response.tool_calls",
  "gen_ai.system", "gen_ai.system_instructions", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.tool.definitions",
  "gen_ai.tool.description", "gen_ai.tool.input", "gen_ai.tool.name", "gen_ai.tool.output", "gen_ai.tool.type",
  "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.completion_tokens", "gen_ai.usage.input_tokens",
  "gen_ai.usage.input_tokens.cache_write", "gen_ai.usage.input_tokens.cached", "gen_ai.usage.output_tokens", "gen_ai.usage.output_tokens.reasoning",
  "gen_ai.usage.prompt_tokens", "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.total_tokens", "graphql.operation.name",
  "graphql.operation.type", "grpc.error.bad_request.field_violations", "grpc.error.error_info.domain", "grpc.error.error_info.reason",
  "grpc.error.resource_info.description", "grpc.error.resource_info.resource_type", "grpc.error.retry_info.retry_delay_ms", "hardwareConcurrency",
  "http.decoded_response_content_length", "http.flavor", "http.host", "http.method", "http.request.connect_start", "http.request.connection_end",
  "http.request.domain_lookup_end", "http.request.domain_lookup_start", "http.request.fetch_start", "http.request.method",
  "http.request.redirect_end", "http.request.redirect_start", "http.request.request_start", "http.request.resend_count", "http.request.response_end",
  "http.request.response_start", "http.request.same_origin", "http.request.secure_connection_start", "http.request.time_to_first_byte",
  "http.request.worker_start", "http.request_method", "http.response.body.size", "http.response.header.content-length", "http.response.size",
  "http.response.status_code", "http.response_content_length", "http.response_transfer_size", "http.route", "http.scheme",
  "http.server.request.time_in_queue", "http.server_name", "http.status_code", "http.user_agent", "inp", "jsonrpc.protocol.version",
  "jsonrpc.request.id", "jvm.gc.action", "jvm.gc.name", "jvm.memory.pool.name", "jvm.memory.type", "jvm.thread.daemon", "jvm.thread.state",
  "koa.name", "koa.type", "lcp", "lcp.element", "lcp.id", "lcp.loadTime", "lcp.renderTime", "lcp.size", "litestar.middleware_name", "logger.name",
  "mcp.cancelled.reason", "mcp.cancelled.request_id", "mcp.client.name", "mcp.client.title", "mcp.client.version", "mcp.lifecycle.phase",
  "mcp.logging.data_type", "mcp.logging.level", "mcp.logging.logger", "mcp.method.name", "mcp.progress.current", "mcp.progress.message",
  "mcp.progress.percentage", "mcp.progress.token", "mcp.progress.total", "mcp.prompt.name", "mcp.prompt.result.message_count",
  "mcp.prompt.result.message_role", "mcp.protocol.ready", "mcp.protocol.version", "mcp.request.id", "mcp.resource.protocol", "mcp.server.name",
  "mcp.server.title", "mcp.server.version", "mcp.session.id", "mcp.tool.name", "mcp.tool.result.content_count", "mcp.tool.result.is_error",
  "mcp.transport", "messaging.batch.message_count", "messaging.destination", "messaging.destination.connection", "messaging.destination.name",
  "messaging.destination.partition.id", "messaging.destination_kind", "messaging.kafka.message.key", "messaging.kafka.message.tombstone",
  "messaging.kafka.offset", "messaging.message.body.size", "messaging.message.conversation_id", "messaging.message.envelope.size",
  "messaging.message.id", "messaging.message.receive.latency", "messaging.message.retry.count", "messaging.operation.name",
  "messaging.operation.type", "messaging.rabbitmq.destination.routing_key", "messaging.system", "method", "middleware.name", "navigation.type",
  "nel.elapsed_time", "nel.phase", "nel.sampling_function", "nel.type", "net.host.ip", "net.host.name", "net.host.port", "net.peer.port",
  "net.protocol.name", "net.protocol.version", "net.sock.family", "net.sock.host.addr", "net.sock.host.port", "net.sock.peer.port", "net.transport",
  "network.connection.effective_type", "network.connection.rtt", "network.connection.type", "network.local.address", "network.local.port",
  "network.peer.port", "network.protocol.name", "network.protocol.version", "network.transport", "network.type", "os.build", "os.build_id",
  "os.description", "os.kernel_version", "os.name", "os.raw_description", "os.rooted", "os.theme", "os.type", "os.version", "otel.kind",
  "otel.scope.name", "otel.scope.version", "otel.status_code", "performance.activationStart", "performance.timeOrigin", "port", "previous_route",
  "process.executable.name", "process.pid", "process.runtime.description", "process.runtime.engine.name", "process.runtime.engine.version",
  "process.runtime.name", "process.runtime.version", "react.version", "redis.command", "redis.key", "resource.deployment.environment",
  "resource.deployment.environment.name", "resource.render_blocking_status", "route", "rpc.grpc.status_code", "rpc.method",
  "rpc.response.status_code", "rpc.service", "rpc.system", "rpc.system.name", "runtime.build", "runtime.name", "runtime.raw_description",
  "runtime.version", "score.<key>", "score.ratio.<key>", "score.total", "score.weight.<key>", "sentry.action", "sentry.browser.name",
  "sentry.browser.version", "sentry.domain", "sentry.dsc.public_key", "sentry.exclusive_time", "sentry.frames.frozen", "sentry.frames.slow",
  "sentry.frames.total", "sentry.graphql.operation", "sentry.kind", "sentry.message.template", "sentry.module.<key>", "sentry.normalized_db_query",
  "sentry.pageload.span_id", "sentry.relay.ingress", "sentry.relay.pipeline", "sentry.report_event", "sentry.segment.name",
  "sentry.segment.name.source", "sentry.status.message", "sentry.status_code", "sentry.sveltekit.navigation.type", "sentry.thread.id",
  "sentry.trace_lifecycle", "sentry.user.geo.city", "sentry.user.geo.country_code", "sentry.user.geo.region", "sentry.user.geo.subdivision",
  "server.address", "server.port", "server_name", "service.name", "service.version", "session.id", "stall_percentage", "stall_total_time",
  "starlette.middleware_name", "starlite.middleware_name", "state.type", "subprocess.pid", "thread.id", "thread.name", "timber.tag",
  "time_to_full_display", "time_to_initial_display", "transaction", "trpc.procedure_path", "trpc.procedure_type", "ttfb", "ttfb.requestTime", "type",
  "ui.component_name", "ui.contributes_to_ttfd", "ui.contributes_to_ttid", "ui.element.height", "ui.element.id", "ui.element.identifier",
  "ui.element.load_time", "ui.element.paint_type", "ui.element.render_time", "ui.element.type", "ui.element.width", "url.domain", "url.port",
  "url.same_origin", "url.scheme", "url.template", "user.geo.city", "user.geo.country_code", "user.geo.region", "user.geo.subdivision",
  "user_agent.original", "vercel.branch", "vercel.build_id", "vercel.deployment_id", "vercel.destination", "vercel.edge_type", "vercel.entrypoint",
  "vercel.execution_region", "vercel.id", "vercel.log_type", "vercel.path", "vercel.project_id", "vercel.project_name", "vercel.proxy.cache_id",
  "vercel.proxy.host", "vercel.proxy.lambda_region", "vercel.proxy.method", "vercel.proxy.path_type", "vercel.proxy.path_type_variant",
  "vercel.proxy.region", "vercel.proxy.response_byte_size", "vercel.proxy.scheme", "vercel.proxy.status_code", "vercel.proxy.timestamp",
  "vercel.proxy.user_agent", "vercel.proxy.vercel_cache", "vercel.proxy.vercel_id", "vercel.proxy.waf_action", "vercel.proxy.waf_rule_id",
  "vercel.request_id", "vercel.source", "vercel.status_code",
];

const NEVER = [
  "dist", "id", "profile_id", "release", "replay_id", "sentry.cancellation_reason", "sentry.category", "sentry.client_sample_rate", "sentry.dist",
  "sentry.dsc.environment", "sentry.dsc.project_id", "sentry.dsc.release", "sentry.dsc.sample_rate", "sentry.dsc.sampled", "sentry.dsc.trace_id",
  "sentry.dsc.transaction", "sentry.environment", "sentry.event.serialized_breadcrumbs", "sentry.event.serialized_contexts",
  "sentry.event.serialized_extra", "sentry.group", "sentry.http.prefetch", "sentry.idle_span_finish_reason", "sentry.is_remote",
  "sentry.main_thread", "sentry.metric.source", "sentry.mobile", "sentry.nextjs.ssr.function.route", "sentry.nextjs.ssr.function.type",
  "sentry.normalized_db_query.hash", "sentry.observed_timestamp_nanos", "sentry.op", "sentry.origin", "sentry.platform", "sentry.profile_id",
  "sentry.profiler_id", "sentry.release", "sentry.replay_id", "sentry.replay_is_buffering", "sentry.sdk.integrations", "sentry.sdk.name",
  "sentry.sdk.version", "sentry.segment.id", "sentry.segment_id", "sentry.server_sample_rate", "sentry.source", "sentry.span.source",
  "sentry.status", "sentry.timestamp.sequence", "sentry.trace.parent_span_id", "sentry.trace.status", "sentry.transaction",
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
