# The same data source outside the check block, so that the test can read
# its values from the plan (`terraform show -json` of a saved plan).
data "pxc_cluster_tls" "report" {
  dynamic "node" {
    for_each = var.nodes
    content {
      name = node.key
      host = node.value
    }
  }
}
