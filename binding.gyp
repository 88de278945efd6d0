{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": ["native/udp-batch.c", "native/udp-recv.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["native/udp-batch.c", "native/udp-recv.c"] }]]
    },
    {
      "target_name": "memory_trim",
      "sources": ["native/memory-trim.cc"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra", "-Wno-cast-function-type"]
    }
  ]
}
