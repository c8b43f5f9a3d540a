/// `--json` texts exactly as clusterctl printed them before the summary types (produced by the old
/// `[String: Any]` + JSONSerialization code from the same fixtures): the contract the summaries keep.
enum ExpectedClusterJSON {
    /// `nodes --json` of `Fixtures.nodes`.
    static let nodes = #"""
        [
          {
            "address" : "127.0.0.1:7070",
            "current_job" : "",
            "data_address" : "127.0.0.1:7071",
            "device" : "",
            "id" : 1,
            "memory_limit_bytes" : 8589934592,
            "memory_reserved_bytes" : 2432,
            "models" : [

            ],
            "name" : "ps-0",
            "role" : "ps",
            "seconds_since_heartbeat" : 0.5,
            "state" : "alive",
            "threads" : 2,
            "version" : "0.1.0"
          },
          {
            "address" : "",
            "current_job" : "job-7",
            "data_address" : "",
            "device" : "cpu",
            "id" : 2,
            "memory_limit_bytes" : 0,
            "memory_reserved_bytes" : 0,
            "models" : [
              "two_tower"
            ],
            "name" : "worker-0",
            "role" : "worker",
            "seconds_since_heartbeat" : 4.25,
            "state" : "suspect",
            "threads" : 1,
            "version" : "0.1.0"
          }
        ]
        """#

    /// `status --json` of `Fixtures.status`, ps-0 unreachable.
    static let status = #"""
        {
          "coordinator" : {
            "address" : "127.0.0.1:7070",
            "name" : "ps-0",
            "uptime_seconds" : 42.5,
            "version" : "0.1.0"
          },
          "health" : "degraded: 1 node(s) suspect",
          "jobs" : {
            "cancelled" : 5,
            "failed" : 4,
            "pending" : 1,
            "running" : 2,
            "succeeded" : 3
          },
          "nodes" : [
            {
              "address" : "127.0.0.1:7070",
              "current_job" : "",
              "data_address" : "127.0.0.1:7071",
              "device" : "",
              "health" : "unreachable: 127.0.0.1:7070 refused the connection",
              "id" : 1,
              "memory_limit_bytes" : 8589934592,
              "memory_reserved_bytes" : 2432,
              "models" : [

              ],
              "name" : "ps-0",
              "role" : "ps",
              "seconds_since_heartbeat" : 0.5,
              "state" : "alive",
              "threads" : 2,
              "version" : "0.1.0"
            },
            {
              "address" : "",
              "current_job" : "job-7",
              "data_address" : "",
              "device" : "cpu",
              "health" : "heartbeat suspect",
              "id" : 2,
              "memory_limit_bytes" : 0,
              "memory_reserved_bytes" : 0,
              "models" : [
                "two_tower"
              ],
              "name" : "worker-0",
              "role" : "worker",
              "seconds_since_heartbeat" : 4.25,
              "state" : "suspect",
              "threads" : 1,
              "version" : "0.1.0"
            }
          ],
          "unhealthy_nodes" : 2
        }
        """#

    /// `pull --json` of `Fixtures.variables` with NaN, +inf, 1e-8 and 3.4e38 appended to the kernel.
    static let pull = #"""
        [
          {
            "name" : "dense_0\/kernel",
            "shape" : [
              1,
              2
            ],
            "values" : [
              0.10000000149011612,
              -2,
              null,
              null,
              9.99999993922529e-09,
              3.3999999521443642e+38
            ]
          },
          {
            "name" : "dense_0\/bias",
            "shape" : [
              1
            ],
            "values" : [
              10
            ]
          }
        ]
        """#

    /// `export --json` of the same variables to /tmp/m.safetensors.
    static let export = #"""
        {
          "file" : "\/tmp\/m.safetensors",
          "job" : "job-7",
          "variables" : [
            {
              "name" : "dense_0\/kernel",
              "shape" : [
                1,
                2
              ]
            },
            {
              "name" : "dense_0\/bias",
              "shape" : [
                1
              ]
            }
          ]
        }
        """#

    /// `checkpoint 7 --json`.
    static let checkpoint = #"""
        {
          "bytes" : 4096,
          "files" : 2,
          "job" : "7",
          "manifest" : "\/d\/manifest-100.json",
          "version" : 100
        }
        """#
}
