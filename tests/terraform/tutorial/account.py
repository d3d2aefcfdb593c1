"""Looks an account up as the administrator (admin.cnf, ca.pem in the work
directory): how many accounts have exactly the name read from the file, with
their host, and that the administrator's own account still exists.

    account.py <user file>
"""
import sys
import MySQLdb
name = open(sys.argv[1], encoding="utf-8").read()
c = MySQLdb.connect(read_default_file="admin.cnf", charset="utf8mb4", ssl={"ca": "ca.pem"})
cur = c.cursor()
cur.execute("SELECT HEX(User), Host FROM mysql.user WHERE User = %s", (name,))
rows = cur.fetchall()
print("rows", len(rows))
print("same_bytes", len(rows) == 1 and rows[0][0] == name.encode("utf-8").hex().upper(),
      "host", rows[0][1] if rows else None)
cur.execute("SELECT COUNT(*) FROM mysql.user WHERE User = 'pxcadmin'")
print("admin_accounts", cur.fetchone()[0])
