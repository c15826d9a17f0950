//! Customers: whom the service desk works for, by the slug their tickets carry. A customer
//! may have a business calendar of their own (their holidays, their time zone), which then
//! overrides the calendar of the contract their tickets run on.

mod spec;

pub use spec::CustomerSpec;

crate::catalog!(
    CustomerDoc,
    CustomerId,
    "customer-",
    CustomerSpec,
    CustomerCommand,
    CustomerEvent,
    CustomerDefined,
    CustomerChanged
);

impl CustomerId {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5d0c_7a1e_0c05_4c1e_9a55_c057_0e25_0001);

    pub fn of_slug(slug: &str) -> Self {
        Self(crate::slug::slug_uuid(Self::NAMESPACE, slug))
    }
}
