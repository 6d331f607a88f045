"""The decision portal: heads of OPD and employees act from personal links."""
