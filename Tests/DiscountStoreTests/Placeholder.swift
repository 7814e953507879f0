// placeholder until the contract suite lands
