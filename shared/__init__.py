"""Code both stacks share, so that every business rule exists once."""
