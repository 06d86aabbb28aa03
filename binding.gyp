{
  "targets": [
    {
      "target_name": "ordinal_udp",
      "sources": ["src/dns/native/udp_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
