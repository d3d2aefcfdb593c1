# Refused while planning: not a restart strategy.
resource "pxc_cluster_restart" "bad" {
  strategy = "fast"
  node {
    name = "pxc1"
    host = "10.77.0.11"
  }
}
