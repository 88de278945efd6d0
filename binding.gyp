{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": ["native/udp-batch.c", "native/udp-recv.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["native/udp-batch.c", "native/udp-recv.c"] }]]
    },
    {
      "target_name": "malloc_trim",
      "sources": ["native/malloc-trim.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["native/malloc-trim.c"] }]]
    }
  ]
}
