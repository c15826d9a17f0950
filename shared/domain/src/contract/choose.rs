use super::ContractSpec;

/// How specific a contract is, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    CustomerAndService,
    Customer,
    Service,
    Default,
}

impl ContractSpec {
    /// The scope at which this contract covers a ticket of `customer` for `service`, if it
    /// does.
    pub fn covers(&self, customer: Option<&str>, service: Option<&str>) -> Option<Scope> {
        match (self.customer.as_deref(), self.service.as_deref()) {
            (Some(c), Some(s)) => {
                (Some(c) == customer && Some(s) == service).then_some(Scope::CustomerAndService)
            }
            (Some(c), None) => (Some(c) == customer).then_some(Scope::Customer),
            (None, Some(s)) => (Some(s) == service).then_some(Scope::Service),
            (None, None) => Some(Scope::Default),
        }
    }
}

/// The contract a ticket runs on: the most specific that covers it; among equally specific
/// ones (which the API does not let arise) the first.
pub fn choose<'a, T>(
    contracts: impl IntoIterator<Item = (&'a ContractSpec, T)>,
    customer: Option<&str>,
    service: Option<&str>,
) -> Option<(Scope, T)> {
    contracts
        .into_iter()
        .filter_map(|(spec, item)| spec.covers(customer, service).map(|scope| (scope, item)))
        .min_by_key(|(scope, _)| *scope)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn contract(customer: Option<&str>, service: Option<&str>) -> ContractSpec {
        ContractSpec {
            name: "c".into(),
            customer: customer.map(str::to_owned),
            service: service.map(str::to_owned),
            sla: uuid::Uuid::nil(),
            calendar: None,
        }
    }

    #[test]
    fn the_most_specific_contract_wins() {
        let all = [
            contract(None, None),
            contract(None, Some("mail")),
            contract(Some("acme"), None),
            contract(Some("acme"), Some("mail")),
        ];
        let pick = |customer, service| {
            choose(
                all.iter().enumerate().map(|(i, c)| (c, i)),
                customer,
                service,
            )
            .unwrap()
        };
        assert_eq!(
            pick(Some("acme"), Some("mail")),
            (Scope::CustomerAndService, 3)
        );
        assert_eq!(pick(Some("acme"), Some("web")), (Scope::Customer, 2));
        assert_eq!(pick(Some("globex"), Some("mail")), (Scope::Service, 1));
        assert_eq!(pick(Some("globex"), None), (Scope::Default, 0));
        assert_eq!(pick(None, None), (Scope::Default, 0));
        assert!(choose(all[1..].iter().map(|c| (c, ())), Some("globex"), None).is_none());
    }
}
