/// `--json` texts exactly as clusterctl printed them before the summary types (produced by the old
/// `[String: Any]` + JSONSerialization code from the same fixtures): the contract the summaries keep.
enum ExpectedJobJSON {
    /// `describe --json` of `Fixtures.runningJob`.
    static let running = #"""
        {
          "bytes_per_shard" : {
            "ps-0" : 960,
            "ps-1" : 1472
          },
          "checkpoint" : {
            "manifest" : "\/data\/ckpt\/job-7\/manifest-100.json",
            "version" : 100
          },
          "created_at" : 1700000000.5,
          "effective_replicas" : 2,
          "eval_metrics" : {
            "accuracy" : 0.9375,
            "auc" : 0.96875,
            "count" : 114,
            "loss" : 0.125
          },
          "finished_at" : null,
          "history" : [
            {
              "kind" : "train",
              "metrics" : {
                "accuracy" : null,
                "auc" : null,
                "count" : 32,
                "loss" : 0.5
              },
              "step" : 50,
              "time" : 1700000005
            },
            {
              "kind" : "eval",
              "metrics" : {
                "accuracy" : 0.9,
                "auc" : 0.95,
                "count" : 114,
                "loss" : 0.2
              },
              "step" : 100,
              "time" : 1700000009.5
            }
          ],
          "id" : "job-7",
          "metrics" : {
            "accuracy" : 0.9375,
            "auc" : 0.96875,
            "count" : 114,
            "loss" : 0.125
          },
          "name" : "cancer\/sync",
          "placement" : [
            {
              "bytes" : 960,
              "kind" : "dense",
              "partition" : 0,
              "rows" : [
                0,
                15
              ],
              "shape" : [
                30,
                16
              ],
              "shard" : "ps-0",
              "shard_address" : "127.0.0.1:7001",
              "variable" : "dense_0\/kernel"
            },
            {
              "bytes" : 960,
              "kind" : "dense",
              "partition" : 1,
              "rows" : [
                15,
                30
              ],
              "shape" : [
                30,
                16
              ],
              "shard" : "ps-1",
              "shard_address" : "127.0.0.1:7002",
              "variable" : "dense_0\/kernel"
            },
            {
              "bytes" : 512,
              "kind" : "embedding",
              "partition" : 0,
              "rows" : [
                0,
                16
              ],
              "shape" : [
                16,
                8
              ],
              "shard" : "ps-1",
              "shard_address" : "127.0.0.1:7002",
              "variable" : "embedding_education"
            }
          ],
          "reason" : "",
          "samples" : 3840,
          "stale_dropped" : 3,
          "started_at" : 1700000001.25,
          "state" : "RUNNING",
          "step" : 120,
          "steps_per_second" : 12.5,
          "tensorboard_dir" : "\/var\/lib\/tessera\/tensorboard\/job-7",
          "total_steps" : 300,
          "train_metrics" : {
            "accuracy" : 0.875,
            "auc" : null,
            "count" : 32,
            "loss" : 0.25
          },
          "workers" : [
            {
              "epoch" : 2,
              "finished" : false,
              "index" : 0,
              "node" : "worker-0",
              "step" : 61
            },
            {
              "epoch" : 1,
              "finished" : true,
              "index" : 1,
              "node" : "worker-1",
              "step" : 59
            }
          ]
        }
        """#

    /// `submit --json` of `Fixtures.pendingJob`.
    static let pending = #"""
        {
          "bytes_per_shard" : {

          },
          "checkpoint" : null,
          "created_at" : 1700000100,
          "effective_replicas" : 0,
          "eval_metrics" : null,
          "finished_at" : null,
          "history" : [

          ],
          "id" : "job-8",
          "metrics" : {
            "accuracy" : null,
            "auc" : null,
            "loss" : null
          },
          "name" : "linear-hello",
          "placement" : [

          ],
          "reason" : "",
          "samples" : 0,
          "stale_dropped" : 0,
          "started_at" : null,
          "state" : "PENDING",
          "step" : 0,
          "steps_per_second" : 0,
          "tensorboard_dir" : null,
          "total_steps" : 0,
          "train_metrics" : null,
          "workers" : [

          ]
        }
        """#
}
