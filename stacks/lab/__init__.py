"""The lab: a web page, served inside the launcher, to use both blogs side by side."""
