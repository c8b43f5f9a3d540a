import Metrics
import Prometheus

/// The process's metrics: one Prometheus registry behind swift-metrics, and the stable names
/// every dashboard relies on. Metric names never change; new ones may be added.
public enum TesseraMetrics {
    /// The registry `/metrics` renders.
    public static let registry = PrometheusCollectorRegistry()

    /// The swift-metrics factory writing into `registry` (apply-time buckets from 50 µs to 10 s).
    public static let factory: PrometheusMetricsFactory = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Name.applySeconds] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
        ]
        return factory
    }()

    private static let bootstrapOnce: Void = { MetricsSystem.bootstrap(factory) }()

    /// Makes `factory` the process-wide swift-metrics backend (once; later calls do nothing), so
    /// libraries using swift-metrics land in the same registry. Only `@main` calls it.
    public static func bootstrap() { _ = bootstrapOnce }

    /// The stable metric names.
    public enum Name {
        /// Push requests served, by shard.
        public static let pushTotal = "tessera_push_total"
        /// Bytes of push request frames received, by shard.
        public static let pushBytesTotal = "tessera_push_bytes_total"
        /// Pull requests served, by shard.
        public static let pullTotal = "tessera_pull_total"
        /// Bytes of pull response frames sent, by shard.
        public static let pullBytesTotal = "tessera_pull_bytes_total"
        /// Time to decode and apply (or accumulate) one push, by shard (histogram, seconds).
        public static let applySeconds = "tessera_apply_seconds"
        /// Data-plane requests in flight on a shard.
        public static let queueDepth = "tessera_queue_depth"
        /// Gradients dropped as stale, by shard.
        public static let staleDroppedTotal = "tessera_stale_dropped_total"
        /// Pushes a shard had already received for their version (a repeat, answered stale on the wire), by shard.
        public static let duplicateDroppedTotal = "tessera_duplicate_dropped_total"
        /// Data-plane requests that failed, by shard and method.
        public static let dataPlaneErrorsTotal = "tessera_data_plane_errors_total"
        /// Training throughput of a running job, as last reported to the coordinator, by job.
        public static let samplesPerSecond = "tessera_samples_per_second"
        /// Seconds since the coordinator last heard from a node, by node.
        public static let heartbeatAgeSeconds = "tessera_heartbeat_age_seconds"
        /// Nodes the coordinator knows, by state.
        public static let nodes = "tessera_nodes"
        /// Requests and connections refused because a limit was reached, by limit (`RefusalMetrics.Limit`).
        public static let refusedTotal = "tessera_refused_total"
        /// 1 while the process is up; labelled with role and version.
        public static let up = "tessera_up"
    }
}
