# The same data source outside the check block, so that the test can read
# its values from the plan (`terraform show -json` of a saved plan). Read in
# the same plan as the check's, over the same nodes: the two share one
# plain-Galera probe per node (a Galera node with socket.dynamic answers
# silent peers one after the other).
data "pxc_cluster_tls" "report" {
  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}
