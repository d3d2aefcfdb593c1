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

# The password kept out of state and plan files (Terraform 1.11 or later):
# password_wo is write-only and may come from an ephemeral variable
# (TF_VAR_report_password). To change the password, give the new one and
# bump password_wo_version.
variable "report_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "pxc_ssl_user" "report" {
  name                = "report"
  password_wo         = var.report_password
  password_wo_version = 1
  require             = "ssl"

  grant {
    privileges = ["SELECT"]
    on         = "shop.*"
  }
}

# Import an existing account with: terraform import pxc_ssl_user.ssluser 'ssluser@%'
