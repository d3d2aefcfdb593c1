# Added to the tutorial (examples/tutorial/main.tf) by tests/terraform/tutorial:
# users that must present a client certificate (REQUIRE X509, REQUIRE
# SUBJECT ... AND ISSUER ...), client certificates from the cluster CA and
# from another CA to try them with, and users whose names and passwords need
# quoting.

resource "pxc_ca" "other" {
  key_algorithm = "ECDSA"
  common_name   = "Other-CA"
}

resource "pxc_node_cert" "alice" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "alice"
  organization       = "Example"
  usage              = "client"
  key_algorithm      = "ECDSA"
}

resource "pxc_node_cert" "mallory" {
  ca_cert_pem        = pxc_ca.cluster.cert_pem
  ca_private_key_pem = pxc_ca.cluster.private_key_pem
  common_name        = "mallory"
  organization       = "Example"
  usage              = "client"
  key_algorithm      = "ECDSA"
}

resource "pxc_node_cert" "stranger" {
  ca_cert_pem        = pxc_ca.other.cert_pem
  ca_private_key_pem = pxc_ca.other.private_key_pem
  common_name        = "alice"
  organization       = "Example"
  usage              = "client"
  key_algorithm      = "ECDSA"
}

resource "pxc_ssl_user" "x509user" {
  name     = "x509user"
  password = "x509pass"
  require  = "x509"
  grant {
    privileges = ["SELECT"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

resource "pxc_ssl_user" "subjuser" {
  name            = "subjuser"
  password        = "subjpass"
  require         = "specified"
  require_subject = "/O=Example/CN=alice"
  require_issuer  = "/CN=PXC-CA"
  grant {
    privileges = ["SELECT"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

# Read through HAProxy as subjuser with alice's certificate.
data "pxc_cluster_status" "as_alice" {
  require_tls = true
  mysql {
    endpoint = "${var.load_balancer}:3306"
    username = pxc_ssl_user.subjuser.name
    password = pxc_ssl_user.subjuser.password
    tls {
      ca_pem   = pxc_ca.cluster.cert_pem
      cert_pem = pxc_node_cert.alice.cert_pem
      key_pem  = pxc_node_cert.alice.private_key_pem
    }
  }
}

# ' " ` \ % and non-ASCII in the name, the password and a database name.
resource "pxc_ssl_user" "weird" {
  name     = "o'b\"r`i\\én%ü"
  password = "pä'ss\"w`o\\rd%;--"
  require  = "ssl"
  grant {
    privileges = ["SELECT"]
    on         = "*.*"
  }
  grant {
    privileges = ["SELECT", "INSERT"]
    on         = "`pxc_ü'db``x`.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

# SQL in the name and the password is just text.
resource "pxc_ssl_user" "evil" {
  name     = "evil'); DROP USER 'pxcadmin'@'%'; --"
  host     = "10.77.0.%"
  password = "x' OR '1'='1"
  require  = "ssl"
  grant {
    privileges = ["SELECT"]
    on         = "*.*"
  }
  depends_on = [pxc_cluster_restart.tls]
}

data "pxc_cluster_status" "as_weird" {
  require_tls = true
  mysql {
    endpoint = "${var.load_balancer}:3306"
    username = pxc_ssl_user.weird.name
    password = pxc_ssl_user.weird.password
    tls {
      ca_pem = pxc_ca.cluster.cert_pem
    }
  }
}
