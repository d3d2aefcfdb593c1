# Restarts the cluster once every node has its TLS configuration, and again
# whenever a node's configuration changes. The first listed node is stopped
# last, but the bootstrap node is the most advanced one per grastate.dat.
resource "pxc_cluster_restart" "tls" {
  strategy = "full"
  flavor   = "pxc57"

  triggers = {
    for name, cfg in pxc_node_tls_config.node : name => jsonencode(cfg.files)
  }

  node {
    name = "pxc1"
    host = "10.0.0.11"
  }
  node {
    name = "pxc2"
    host = "10.0.0.12"
  }
  node {
    name = "pxc3"
    host = "10.0.0.13"
  }
}
