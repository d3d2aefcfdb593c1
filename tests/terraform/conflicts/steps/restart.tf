# Added by tests/terraform/conflicts once the three nodes are configured: the
# full restart that makes Galera TLS take effect.
resource "pxc_cluster_restart" "tls" {
  strategy        = "full"
  flavor          = "pxc57" # the test bed's service commands: service mysql stop|start|bootstrap-pxc
  timeout_seconds = 180
  triggers        = { for name, cfg in pxc_node_tls_config.node : name => cfg.id }

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}
