# The provider connects through HAProxy as an administrator, with TLS
# (password from PXC_MYSQL_PASSWORD when not set here).
provider "pxc" {
  mysql {
    endpoint = "10.77.0.10:3306"
    username = "pxcadmin"
    tls {
      ca_pem = file(var.ca_cert_file)
    }
  }
}

# The tutorial's `grant all on *.* to 'ssluser'@'%' ... require ssl`, as
# CREATE USER ... REQUIRE SSL then GRANT.
resource "pxc_ssl_user" "ssluser" {
  name     = "ssluser"
  password = var.ssluser_password
  require  = "ssl"

  grant {
    privileges = ["ALL"]
    on         = "*.*"
  }
}

# A user that must present a client certificate with this exact subject,
# issued by the cluster CA, with some privileges on one database.
resource "pxc_ssl_user" "app" {
  name            = "app"
  host            = "10.77.0.%"
  password        = var.app_password
  require         = "specified"
  require_subject = "/O=Example Corp/CN=app"
  require_issuer  = "/CN=PXC-CA"

  grant {
    privileges = ["SELECT", "INSERT", "UPDATE", "DELETE"]
    on         = "shop.*"
  }
  grant {
    privileges = ["PROCESS"]
    on         = "*.*"
  }
}

