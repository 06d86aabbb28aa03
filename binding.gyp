{
  "targets": [
    {
      "target_name": "ordinal_udp",
      "sources": ["src/dns/native/udp_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    },
    {
      "target_name": "ordinal_init",
      "type": "executable",
      "sources": ["src/node/runtime/native/init.c", "src/node/runtime/native/setup.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
