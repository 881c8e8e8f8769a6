//! Where the stored images live: the data directory, or an S3-compatible bucket
//! (AWS, MinIO, R2, …) when `FLUXPLAY_S3_BUCKET` is set, so that replicas with no
//! shared disk serve each other's images.

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::sync::Arc;

/// The bucket's settings; the secret key is held as a secret.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    /// None: AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
}

#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error("cannot use the data directory for images: {0}")]
    Dir(std::io::Error),
    #[error("cannot use the image bucket: {0}")]
    Store(#[from] object_store::Error),
}

/// The bucket when configured, else `data_dir` (created if missing).
pub fn open(s3: Option<&S3Config>, data_dir: &Path) -> Result<Arc<dyn ObjectStore>, ObjectsError> {
    let Some(s3) = s3 else {
        std::fs::create_dir_all(data_dir).map_err(ObjectsError::Dir)?;
        return Ok(Arc::new(LocalFileSystem::new_with_prefix(data_dir)?));
    };
    // From the environment first, so AWS_* credentials and roles work as AWS documents them.
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&s3.bucket).with_region(&s3.region);
    if let Some(endpoint) = &s3.endpoint {
        // A self-hosted endpoint: path-style URLs; plain HTTP only where the operator wrote it.
        builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
    }
    if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
        builder = builder.with_access_key_id(id).with_secret_access_key(secret.expose_secret());
    }
    Ok(Arc::new(builder.build()?))
}
