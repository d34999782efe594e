"""Generators of the fictitious demo and national load-test exports: development tools, not
part of the runtime package, so that editing them reruns nothing in the workflow."""
