//! Contracts: which SLA and calendar a customer's tickets (for a service) run on. The most
//! specific contract wins: customer and service, then customer, then service, then the
//! default (neither).

mod choose;
mod spec;

pub use choose::{choose, Scope};
pub use spec::ContractSpec;

crate::catalog!(
    ContractDoc,
    ContractId,
    "contract-",
    ContractSpec,
    ContractCommand,
    ContractEvent,
    ContractDefined,
    ContractChanged
);
