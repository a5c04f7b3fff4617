"""What the deployables' unit tests share: a pytest plugin and a loopback HTTP stand-in."""
