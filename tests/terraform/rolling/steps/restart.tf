# Added by tests/terraform/rolling once the files are deployed: node by node,
# each drained from HAProxy, restarted and waited for; switching Galera TLS on
# takes two passes (socket.dynamic, then TLS only). Triggered by a node's
# configuration being (re)created, not by a certificate rotation.
resource "pxc_cluster_restart" "tls" {
  strategy        = "rolling"
  flavor          = "mariadb" # rolling needs Galera 4; the test bed's own service commands:
  stop_command    = "service mysql stop"
  start_command   = "service mysql start"
  mysql_command   = "mysql"
  timeout_seconds = 120
  triggers        = { for name, cfg in pxc_node_tls_config.node : name => cfg.id }

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}
