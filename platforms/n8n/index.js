// Nodes and credentials are listed in package.json's "n8n" field; nothing is exported here.
