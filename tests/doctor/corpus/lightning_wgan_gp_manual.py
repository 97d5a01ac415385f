"""Lightning manual optimisation with WGAN-GP: the generator steps every n_critic batches."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=pass T15=absent T16=na T17=absent
# reason: T02=na g_loss = -self.critic(fake).mean(): a Wasserstein critic loss
# reason: T14=pass G is stepped only when batch_idx % self.hparams.n_critic == 0
import lightning as L
import torch
import torch.nn as nn
from torch import autograd
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


class WGANGP(L.LightningModule):
    def __init__(self, z_dim=128, n_critic=5, lambda_gp=10.0):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 256, 4, 1, 0), nn.BatchNorm2d(256), nn.ReLU(),
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.ConvTranspose2d(128, 3, 4, 2, 1), nn.Tanh(),
        )
        self.critic = nn.Sequential(
            nn.Conv2d(3, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 256, 4, 2, 1), nn.InstanceNorm2d(256, affine=True), nn.LeakyReLU(0.2),
            nn.Conv2d(256, 1, 4, 1, 0),
        )

    def gradient_penalty(self, real, fake):
        eps = torch.rand(real.size(0), 1, 1, 1, device=real.device)
        mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
        grads = autograd.grad(self.critic(mixed).sum(), mixed, create_graph=True)[0]
        return ((grads.flatten(1).norm(2, dim=1) - 1) ** 2).mean()

    def training_step(self, batch, batch_idx):
        real, _ = batch
        opt_g, opt_c = self.optimizers()
        z = torch.randn(real.size(0), self.hparams.z_dim, 1, 1, device=self.device)
        fake = self.generator(z)
        c_loss = self.critic(fake.detach()).mean() - self.critic(real).mean()
        c_loss = c_loss + self.hparams.lambda_gp * self.gradient_penalty(real, fake.detach())
        opt_c.zero_grad()
        self.manual_backward(c_loss)
        opt_c.step()
        if batch_idx % self.hparams.n_critic == 0:
            g_loss = -self.critic(fake).mean()
            opt_g.zero_grad()
            self.manual_backward(g_loss)
            opt_g.step()

    def configure_optimizers(self):
        g = torch.optim.Adam(self.generator.parameters(), lr=1e-4, betas=(0.0, 0.9))
        c = torch.optim.Adam(self.critic.parameters(), lr=1e-4, betas=(0.0, 0.9))
        return g, c

    def train_dataloader(self):
        tf = transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])
        return DataLoader(datasets.CIFAR10(".", download=True, transform=tf), batch_size=64, shuffle=True)
