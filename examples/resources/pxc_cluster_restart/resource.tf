# Restarts the cluster once every node has its TLS configuration, and again
# whenever a node's configuration changes. `rolling` keeps the cluster up:
# each node is drained from the load balancer, restarted and waited for;
# switching Galera TLS on takes two passes (socket.dynamic, then TLS only).
# `full` stops every node and bootstraps the most advanced one per
# grastate.dat (not blindly the first). `rolling` and `reload` need Galera 4
# (PXC 8.0, MariaDB 10.4+); PXC 5.7 (Galera 3) takes `full`.
resource "pxc_cluster_restart" "tls" {
  strategy = "rolling"
  flavor   = "pxc80"

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

# Certificate rotation at unchanged paths, without any restart.
resource "pxc_cluster_restart" "rotate" {
  strategy = "reload"
  flavor   = "pxc80"

  triggers = {
    for name, cert in pxc_node_cert.node : name => cert.cert_sha256_fingerprint
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
