"""Connects through HAProxy (10.77.0.10:3306) with TLS as the user and
password read from two files (exact bytes), optionally with a client
certificate and key; prints the account, cipher and cluster size, or
"refused <errno>" (exit 1). Run in the work directory (ca.pem).

    connect.py <user file> <password file> [<cert.pem> <key.pem>]
"""
import sys
import MySQLdb
user = open(sys.argv[1], encoding="utf-8").read()
password = open(sys.argv[2], encoding="utf-8").read()
ssl = {"ca": "ca.pem"}
if len(sys.argv) > 4:
    ssl["cert"], ssl["key"] = sys.argv[3], sys.argv[4]
try:
    c = MySQLdb.connect(host="10.77.0.10", port=3306, user=user, passwd=password,
                        charset="utf8mb4", ssl=ssl, connect_timeout=10)
except MySQLdb.Error as e:
    print("refused", e.args[0] if e.args else e)
    sys.exit(1)
cur = c.cursor()
cur.execute("SELECT CURRENT_USER()")
print("current_user", cur.fetchone()[0])
cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
print("cipher", cur.fetchone()[1])
cur.execute("SHOW STATUS LIKE 'wsrep_cluster_size'")
print("size", cur.fetchone()[1])
