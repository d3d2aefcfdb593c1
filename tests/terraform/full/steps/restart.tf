# Added by tests/terraform/full once the files are deployed: the full restart
# that makes them take effect (every node stopped, the most advanced one per
# grastate.dat bootstrapped). Raising restart_round restarts once more.
variable "restart_round" {
  type    = number
  default = 1
}

resource "pxc_cluster_restart" "tls" {
  strategy        = "full"
  flavor          = "pxc57" # the test bed's service commands: service mysql stop|start|bootstrap-pxc
  timeout_seconds = 180
  triggers = merge(
    { for name, cfg in pxc_node_tls_config.node : name => cfg.id },
    { round = tostring(var.restart_round) },
  )

  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}
