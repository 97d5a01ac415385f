"""Keras-style GAN class with a train_step; noisy labels; RMSprop for both players; max pooling in D."""
# expect: T01=pass T02=pass T03=pass T04=na T05=fail T06=pass T07=pass T08=absent T09=fail
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T05=fail the discriminator downsamples with nn.MaxPool2d
# reason: T09=fail G is optimised with RMSprop under a BCE loss (not a Wasserstein critic)
# reason: T06=pass the labels get 0.05 * torch.rand noise added
# reason: T02=pass G is trained on misleading labels: BCE(D(G(z)), ones)
import torch
import torch.nn as nn


class GAN(nn.Module):
    def __init__(self, latent_dim=128):
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = nn.Sequential(
            nn.Linear(latent_dim, 128 * 8 * 8), nn.LeakyReLU(0.2), nn.Unflatten(1, (128, 8, 8)),
            nn.ConvTranspose2d(128, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(128, 256, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(256, 3, 5, padding=2), nn.Tanh(),
        )
        self.discriminator = nn.Sequential(
            nn.Conv2d(3, 64, 3, padding=1), nn.LeakyReLU(0.2), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.LeakyReLU(0.2), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.2), nn.Linear(128 * 8 * 8, 1),
        )
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.d_optimizer = torch.optim.RMSprop(self.discriminator.parameters(), lr=3e-4)
        self.g_optimizer = torch.optim.RMSprop(self.generator.parameters(), lr=3e-4)

    def train_step(self, real_images):
        b = real_images.shape[0]
        random_latent_vectors = torch.randn(b, self.latent_dim)
        generated_images = self.generator(random_latent_vectors)
        combined = torch.cat([generated_images.detach(), real_images], dim=0)
        labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)], dim=0)
        labels += 0.05 * torch.rand(labels.shape)
        d_loss = self.loss_fn(self.discriminator(combined), labels)
        self.d_optimizer.zero_grad()
        d_loss.backward()
        self.d_optimizer.step()

        random_latent_vectors = torch.randn(b, self.latent_dim)
        misleading_labels = torch.zeros(b, 1)
        g_loss = self.loss_fn(self.discriminator(self.generator(random_latent_vectors)), 1 - misleading_labels)
        self.g_optimizer.zero_grad()
        g_loss.backward()
        self.g_optimizer.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


if __name__ == "__main__":
    gan = GAN()
    faces = torch.load("celeba_32.pt") * 2.0 - 1.0
    for epoch in range(10):
        for batch in faces.split(128):
            print(gan.train_step(batch))
