INSERT INTO users (email) VALUES ('demo@acme-shop.net');
