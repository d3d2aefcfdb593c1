# Refused by apply: cert_dir owned by mysql (mysql:mysql 0750, as the manual
# procedure leaves it), which mysql could use to redirect pxc's writes.
resource "pxc_node_tls_config" "manual" {
  host        = "10.77.0.11"
  name        = "manual"
  role        = "client"
  config_file = "/etc/mysql/client-test.cnf"
  cert_dir    = "/etc/mysql/manual"
  ca_pem      = pxc_ca.cluster.cert_pem
}
